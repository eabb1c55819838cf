"""Getting the data in from Twilio: an Event Streams webhook sink and a REST fetcher.

``geoflex collect`` runs :func:`serve` (needs ``pip install 'geoflex[collect]'``): signed
batches of CloudEvents are written durably to rotating NDJSON files that
`geoflex.read_events` reads as they grow. ``geoflex fetch`` pulls the TaskRouter Events REST
history, the Flex ``ui_attributes`` and the workspace's workers into the same layout (see
:class:`Layout`), which ``geoflex report DIR`` reads.
"""

from __future__ import annotations

from geoflex.collect._layout import Layout
from geoflex.collect._receiver import Receiver, ReceiverSettings, create_app, serve

__all__ = ["Layout", "Receiver", "ReceiverSettings", "create_app", "serve"]
