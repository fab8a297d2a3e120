"""Everything one API process holds, created by `create_app` and reached by request dependencies."""

from dataclasses import dataclass

from .connections import Connections
from .consumer import EnrichedConsumer
from .hub import StreamHub
from .metrics import Metrics
from .ratelimit import RateLimiter
from .settings import Settings
from .store import Store
from .supervisor import Supervisor

__all__ = ["ApiState"]


@dataclass(slots=True)
class ApiState:
    settings: Settings
    metrics: Metrics
    store: Store
    hub: StreamHub
    consumer: EnrichedConsumer
    limiter: RateLimiter
    #: failed authentications per client address (brute force of API keys)
    auth_limiter: RateLimiter
    supervisor: Supervisor
    #: the server's open sockets (filled by the protocol classes of `server`; empty under test transports)
    connections: Connections
    #: False in tests that feed events in directly instead of from Kafka.
    consume: bool = True
