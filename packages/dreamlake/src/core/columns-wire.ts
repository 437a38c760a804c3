/**
 * The media type of an `append-batch` body that carries points column by column,
 * `{"columns": {"_ts": [...], "<field>": [...]}}` (docs/server.md, "Tracks"). `dreamlake
 * sync` sends it: a column of numbers is one JSON array, which costs a fraction of an object
 * per point to write and to parse. The object form (`{"dataPoints": [...]}`, the Python
 * clients' `application/json`) stays the default.
 */
export const COLUMNS_CONTENT_TYPE = "application/vnd.dreamlake.columns+json";
