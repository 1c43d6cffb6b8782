"""The documents a customer receives (packing list, inspection report),
answered as JSON, CSV or PDF by the request's ``Accept`` (``negotiate``)."""
