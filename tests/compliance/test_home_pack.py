"""A home state without a rule pack stops the portal, rather than judging nobody."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from apps.compliance.packs import home_state_has_a_pack, packs_read


def test_the_check_passes_for_a_home_state_with_a_pack(settings):
    settings.PORTAL_HOME_STATE = "IL"
    assert home_state_has_a_pack(None) == []


def test_manage_check_refuses_a_home_state_without_a_pack(settings):
    settings.PORTAL_HOME_STATE = "WI"
    assert [e.id for e in home_state_has_a_pack(None)] == ["compliance.E001"]
    with pytest.raises(SystemCheckError, match="PORTAL_HOME_STATE is 'WI'"):
        call_command("check")


@pytest.mark.django_db
def test_a_municipality_of_a_state_without_a_pack_is_not_left_unjudged(settings):
    packs = packs_read()
    assert packs.state_for("WI") == "IL"
    settings.PORTAL_HOME_STATE = "WI"
    assert packs.state_for("CA") == "CA"
    with pytest.raises(ImproperlyConfigured, match="no rule pack"):
        packs.state_for("WI")
