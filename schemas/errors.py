"""The one base exception of the wire contract."""

__all__ = ["ContractError", "DecodeError", "SchemaError"]


class ContractError(Exception):
    """A message does not follow the newswire wire contract."""


class DecodeError(ContractError):
    """The bytes are not UTF-8 JSON."""


class SchemaError(ContractError):
    """The JSON does not validate against the model its topic carries."""
