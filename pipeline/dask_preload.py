"""Imported by each Dask worker as it starts (``--preload pipeline.dask_preload``): the task code, before any task."""

import prefect.task_engine  # noqa: F401  (runs each task on the worker)

import pipeline.dask_executor  # noqa: F401  (the extract_papers task)
import pipeline.flow  # noqa: F401  (Prefect sends the flow with each task; unpickling it imports the pipeline)
