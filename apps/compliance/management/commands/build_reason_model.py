from pathlib import Path

from django.core.management.base import BaseCommand

from apps.compliance import corpora
from apps.compliance.learned import (
    ARTIFACT,
    ReasonModel,
    artifact_write,
    reason_model_fit,
)


class Command(BaseCommand):
    help = (
        "Train the learned reason signal on the labelled corpora of apps/compliance/corpora "
        "and their copies with the names of names.csv, and write its artifact (gzipped JSON, "
        "no pickle). The same corpora and names give the same bytes; commit the artifact "
        "with the files it was built from."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            default=ARTIFACT,
            help=f"where to write the artifact (default: {ARTIFACT})",
        )

    def handle(self, *args, output: Path, **options):
        paths = corpora.training_files()
        document = reason_model_fit(paths=paths).document
        artifact_write(document=document, path=output)
        model = ReasonModel.load(output)
        self.stdout.write(
            f"{output}: model {model.version}, {document['rows']} reasons from "
            f"{', '.join(path.name for path in paths)} and {document['named_copies']} "
            f"copies with names from {', '.join(document['names'])}; "
            f"{len(document['word']['grams'])} word and {len(document['char']['grams'])} "
            f"character n-grams; {output.stat().st_size:,} bytes"
        )
        for label, chosen in document["thresholds"].items():
            self.stdout.write(
                f"{label}: threshold {chosen['threshold']:.3f}, cross-validated precision "
                f"{chosen['precision']:.3f}, recall {chosen['recall']:.3f}"
            )
