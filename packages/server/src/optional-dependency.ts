import { FailedPreconditionError } from "dreamlake/engine";

/**
 * A package the server loads only when a feature that needs it is configured: an optional
 * peer dependency of `@dreamlake/server` (`peerDependenciesMeta` marks it optional, so npm
 * does not install it by default and the default mode stays light).
 */
export type OptionalDependency = {
  /** The npm package name, as in `peerDependencies`. */
  readonly name: string;
  /** The range of `peerDependencies` (the install command in the message uses it). */
  readonly range: string;
  /** What needs it, for the message: the variable that turned the feature on. */
  readonly neededBy: string;
};

/** `pg`: the PostgreSQL hot tier. */
export const POSTGRES_DRIVER: OptionalDependency = {
  name: "pg",
  range: "^8.23.1",
  neededBy: "DATABASE_URL (the PostgreSQL hot tier)",
};

/** `mongodb`: MongoDB as the server's database. */
export const MONGODB_DRIVER: OptionalDependency = {
  name: "mongodb",
  range: "^7.9.0",
  neededBy: "MONGODB_URI (MongoDB as the server's database)",
};

/** `@aws-sdk/client-s3` and `@aws-sdk/lib-storage` (multipart uploads): the S3 cold tier. */
export const S3_CLIENT: readonly OptionalDependency[] = [
  { name: "@aws-sdk/client-s3", range: "^3.1175.0", neededBy: "S3_BUCKET (the S3 cold tier)" },
  { name: "@aws-sdk/lib-storage", range: "^3.1175.0", neededBy: "S3_BUCKET (the S3 cold tier)" },
];

/**
 * Loads a module that imports an optional package, with `load` (a dynamic `import()` of
 * the adapter file, so that the package is read only now). When the package is not
 * installed, the error says which one and how to install it.
 *
 * @throws {FailedPreconditionError} when one of `dependencies` is not installed
 */
export async function loadWithDependency<T>(
  dependencies: OptionalDependency | readonly OptionalDependency[],
  load: () => Promise<T>,
): Promise<T> {
  try {
    return await load();
  } catch (error: unknown) {
    const dependency = [dependencies]
      .flat()
      .find((candidate) => isMissingPackage(error, candidate.name));
    if (dependency === undefined) throw error;
    throw new FailedPreconditionError(
      `${dependency.neededBy} needs the package ${dependency.name}, which is not installed: run npm install ${dependency.name}@"${dependency.range}" next to @dreamlake/server`,
      { cause: error },
    );
  }
}

/** Node's error for an import of a package that is not installed. */
function isMissingPackage(error: unknown, name: string): boolean {
  return (
    error instanceof Error &&
    "code" in error &&
    error.code === "ERR_MODULE_NOT_FOUND" &&
    error.message.includes(`'${name}'`)
  );
}
