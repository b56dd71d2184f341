"""Administration of the blocklist, the reason terms, the rule packs and their rules, each
with history."""

import copy

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView, TemplateView

from apps.accounts.permissions import StateAdministratorRequiredMixin
from apps.core.models import ChangeRecord

from .forms import BlocklistEntryForm, ReasonTermForm, RetireForm, RuleForm, RulePackForm
from .models import BlocklistEntry, ReasonTerm, Rule, RulePack
from .preview import (
    flips_by_corpus,
    flips_summary,
    reason_terms_with_change,
    term_change_flips,
)
from .services import (
    blocklist_entry_retire,
    blocklist_entry_save,
    reason_term_save,
    rule_pack_save,
    rule_save,
)


def history_of(instance) -> list[ChangeRecord]:
    return list(
        ChangeRecord.objects.filter(
            subject_type=instance._meta.label_lower, subject_id=instance.pk
        ).select_related("actor")
    )


class CatalogueListView(StateAdministratorRequiredMixin, TemplateView):
    template_name = "compliance/catalogue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["blocklist"] = BlocklistEntry.objects.select_related("agency")
        context["packs"] = RulePack.objects.prefetch_related("rules")
        context["home_state"] = settings.PORTAL_HOME_STATE
        context["terms"] = ReasonTerm.objects.all()
        # Only this page's own lists: accounts, agencies and engagements keep their
        # history in the same table, and show it on their own pages.
        subjects = {
            model._meta.label_lower: (kind, noun)
            for kind, (model, _, noun) in CatalogueEditView.kinds.items()
        }
        changes = list(
            ChangeRecord.objects.filter(subject_type__in=subjects).select_related("actor")[:20]
        )
        for change in changes:
            change.kind, change.noun = subjects[change.subject_type]
        context["recent_changes"] = changes
        return context


class CatalogueEditView(StateAdministratorRequiredMixin, FormView):
    """Create or edit one blocklist entry, reason term, rule pack or rule (chosen by
    `kind`). A pack's page lists its rules; packs and rules are added by migrations."""

    template_name = "compliance/edit.html"
    kinds = {
        "blocklist": (BlocklistEntry, BlocklistEntryForm, "blocklist entry"),
        "terms": (ReasonTerm, ReasonTermForm, "reason term"),
        "rules": (Rule, RuleForm, "rule"),
        "packs": (RulePack, RulePackForm, "rule pack"),
    }

    def dispatch(self, request, *args, **kwargs):
        if kwargs["kind"] not in self.kinds:
            raise Http404
        self.model, self.form_class, self.noun = self.kinds[kwargs["kind"]]
        pk = kwargs.get("pk")
        self.object = get_object_or_404(self.model, pk=pk) if pk else self.model()
        # The form writes its values into the instance it edits, valid or not: the page
        # heading names the row as stored, not as the unsaved edit would have it.
        self.stored = copy.copy(self.object)
        if self.model in (Rule, RulePack) and not pk:
            return redirect("state:administration:catalogue")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        # A preview saves and records nothing, so it needs no reason; Save still does.
        if self.model is ReasonTerm and "preview" in self.request.POST:
            form.fields["change_reason"].required = False
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            stored=self.stored,
            noun=self.noun,
            kind=self.kwargs["kind"],
            history=history_of(self.object) if self.object.pk else [],
        )
        if self.model is RulePack:
            context["pack_rules"] = self.object.rules.all()
        elif self.model is Rule:
            context["pack"] = self.object.pack
        return context

    def form_valid(self, form):
        if self.model is ReasonTerm and "preview" in self.request.POST:
            return self.term_preview(form)
        instance = form.save(commit=False)
        reason = form.cleaned_data["change_reason"]
        user = self.request.user
        if self.model is BlocklistEntry:
            retire = RetireForm(self.request.POST)
            if retire.is_valid() and retire.cleaned_data["retire"]:
                _, affected = blocklist_entry_retire(entry=instance, actor=user, reason=reason)
            else:
                _, affected = blocklist_entry_save(entry=instance, actor=user, reason=reason)
            messages.success(
                self.request,
                f"Saved. {len(affected)} municipalit{'y' if len(affected) == 1 else 'ies'} "
                "will be re-evaluated.",
            )
        elif self.model is ReasonTerm:
            reason_term_save(term=instance, actor=user, reason=reason)
            messages.success(self.request, "Saved. Stored searches are being re-classified.")
        elif self.model is RulePack:
            rule_pack_save(pack=instance, actor=user, reason=reason)
            messages.success(self.request, "Saved.")
            return redirect("state:administration:catalogue_edit", "packs", instance.pk)
        else:
            rule_save(rule=instance, actor=user, reason=reason)
            messages.success(
                self.request,
                f"Saved. The municipalities the {instance.pack.name} pack judges will be "
                "re-evaluated.",
            )
        return redirect("state:administration:catalogue")

    def term_preview(self, form):
        """The form again, with the corpus rows the change would flip; nothing saved."""
        before, after = reason_terms_with_change(term=form.instance)
        groups = flips_by_corpus(term_change_flips(before=before, after=after))
        return self.render_to_response(
            self.get_context_data(form=form, preview=groups, preview_summary=flips_summary(groups))
        )
