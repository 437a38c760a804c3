/**
 * A MongoDB database of its own for one test (on the server MONGODB_URI names), and its
 * removal afterwards.
 */
import { MongoClient } from "mongodb";
import { requireMongoUri, uniqueName } from "./tiers-services.js";

/** A fresh database name and a function that drops that database. */
export function testMongoDatabase(prefix: string): {
  readonly uri: string;
  readonly database: string;
  readonly drop: () => Promise<void>;
} {
  const uri = requireMongoUri();
  const database = uniqueName(prefix);
  return {
    uri,
    database,
    async drop() {
      const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
      try {
        await client.db(database).dropDatabase();
      } finally {
        await client.close();
      }
    },
  };
}
