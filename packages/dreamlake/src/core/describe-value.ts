/**
 * Renders a value for an error message: short, unambiguous, never throws
 * (circular objects, symbols and bigints included).
 */
export function describeValue(value: unknown, maxLength = 60): string {
  let text: string;
  switch (typeof value) {
    case "string":
      text = JSON.stringify(value);
      break;
    case "number":
      text = Object.is(value, -0) ? "-0" : String(value);
      break;
    case "bigint":
      text = `${value.toString()}n`;
      break;
    case "boolean":
    case "undefined":
      text = String(value);
      break;
    case "symbol":
      text = value.toString();
      break;
    case "function":
      text = `function ${value.name || "(anonymous)"}`;
      break;
    case "object":
      text = describeObject(value);
      break;
  }
  return text.length > maxLength ? `${text.slice(0, maxLength - 3)}...` : text;
}

function describeObject(value: object | null): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `array(${value.length})`;
  if (value instanceof Uint8Array) return `bytes(${value.byteLength})`;
  const constructorName = (
    Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null
  )?.constructor?.name;
  if (typeof constructorName === "string" && constructorName !== "Object") {
    return `a ${constructorName}`;
  }
  try {
    return JSON.stringify(value);
  } catch {
    return "an object";
  }
}
