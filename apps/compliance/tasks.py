from config.celery_app import app

from .services import reasons_reclassify_all


@app.task(name="compliance.reasons_reclassify")
def reasons_reclassify() -> int:
    """After a term change: relabel stored searches, evaluate the municipalities touched."""
    from apps.audits.tasks import evaluations_dispatch

    return evaluations_dispatch(reasons_reclassify_all(), trigger="terms")
