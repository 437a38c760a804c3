import type { FieldType } from "../field-type.js";
import type { TrackSchema } from "../track-schema.js";

/** The JSON Schema of a field type, as the messages of an export hold its values. */
export function jsonSchemaOf(type: FieldType): Record<string, unknown> {
  switch (type.kind) {
    case "bool":
      return { type: "boolean" };
    case "int":
      return { type: "integer" };
    case "float":
      return { type: "number" };
    case "string":
      return { type: "string" };
    case "bytes":
      return { type: "string", contentEncoding: "base64" };
    case "list":
      return { type: "array", items: jsonSchemaOf(type.element) };
    case "struct":
      return {
        type: "object",
        properties: Object.fromEntries(
          [...type.fields].map(([name, child]) => [name, jsonSchemaOf(child)]),
        ),
      };
    case "null":
    case "json":
      // Any JSON value: no type to promise.
      return {};
  }
}

/**
 * The JSON Schema of a track's messages: an object with `_ts` (seconds since the epoch)
 * and the track's fields. No field is required: a message leaves out what its point lacks.
 */
export function trackJsonSchema(track: string, schema: TrackSchema): string {
  const properties: Record<string, unknown> = {
    _ts: { type: "number", description: "seconds since the epoch (the point's _ts)" },
  };
  for (const [name, type] of schema.fields) properties[name] = jsonSchemaOf(type);
  return JSON.stringify({ title: track, type: "object", properties });
}
