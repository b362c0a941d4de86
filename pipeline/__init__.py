"""Prefect flow, stage functions and the councilkpi CLI."""
