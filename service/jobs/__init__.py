"""Jobs: many clusters briefed in the background (Celery workers, or threads in the API's process)."""
