"""The one base exception of the broker launcher."""

__all__ = ["BrokerError"]


class BrokerError(Exception):
    """A local broker could not be resolved, formatted or started."""
