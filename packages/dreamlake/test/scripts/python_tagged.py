"""Tagged JSON for values crossing between the tests and Python: floats by their IEEE bits,
big ints as text, bytes as hex, maps as ordered pairs, so nothing is lost on the way."""
import struct


def to_tagged(value):
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value if -(2**53) <= value <= 2**53 else {"$int": str(value)}
    if isinstance(value, float):
        return {"$float": struct.pack(">d", value).hex()}
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": bytes(value).hex()}
    if isinstance(value, list):
        return [to_tagged(item) for item in value]
    if isinstance(value, dict):
        return {"$map": [[key, to_tagged(item)] for key, item in value.items()]}
    raise TypeError(f"cannot tag {type(value).__name__}")


def from_tagged(value):
    if isinstance(value, list):
        return [from_tagged(item) for item in value]
    if isinstance(value, dict):
        if "$float" in value:
            return struct.unpack(">d", bytes.fromhex(value["$float"]))[0]
        if "$int" in value:
            return int(value["$int"])
        if "$bytes" in value:
            return bytes.fromhex(value["$bytes"])
        if "$map" in value:
            return {key: from_tagged(item) for key, item in value["$map"]}
        raise ValueError(f"unknown tag in {value!r}")
    return value
