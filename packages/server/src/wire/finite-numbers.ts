import { InvalidArgumentError } from "dreamlake/engine";

/**
 * Refuses a parsed JSON value that holds an infinite number. `JSON.parse` turns a number
 * literal beyond the largest 64-bit float (`1e309`, or 400 digits) into `Infinity`, which
 * the server could not store faithfully (it would read back as `null`) and the SDK refuses
 * too. Walks the value without recursion, so any nesting `JSON.parse` accepts is safe;
 * the path is worked out only for the error.
 *
 * @param where names the value in messages, such as `The request body`
 * @throws {InvalidArgumentError} naming the path of the number, such as `dataPoints[3].x`
 */
export function refuseNonFiniteNumbers(value: unknown, where: string): void {
  if (!holdsNonFinite(value)) return;
  throw new InvalidArgumentError(
    `${where} holds a number beyond the range of a 64-bit float at ${shorten(pathOfNonFinite(value))} ` +
      "(such as 1e309); JSON numbers must be finite",
  );
}

/** A path cut in its middle when long (deep nesting), so that the message stays short. */
function shorten(path: string): string {
  return path.length <= 200 ? path : `${path.slice(0, 100)}...${path.slice(-80)}`;
}

const isNonFinite = (item: unknown): boolean => typeof item === "number" && item - item !== 0;

/** The fast walk: no paths, containers on a stack, leaves checked where they are. */
function holdsNonFinite(root: unknown): boolean {
  if (typeof root !== "object" || root === null) return isNonFinite(root);
  const stack: object[] = [root];
  for (let container = stack.pop(); container !== undefined; container = stack.pop()) {
    if (Array.isArray(container)) {
      const items = container as readonly unknown[];
      for (let i = 0; i < items.length; i++) {
        if (isNonFiniteOrPushed(items[i], stack)) return true;
      }
    } else {
      // for-in, not Object.values: no array per object (this runs on every JSON body).
      // Objects from JSON.parse have no inherited enumerable fields.
      const fields = container as Readonly<Record<string, unknown>>;
      for (const key in fields) {
        if (isNonFiniteOrPushed(fields[key], stack)) return true;
      }
    }
  }
  return false;
}

/** Pushes a container on `stack`; tells whether a leaf is a non-finite number. */
function isNonFiniteOrPushed(item: unknown, stack: object[]): boolean {
  if (typeof item === "object") {
    if (item !== null) stack.push(item);
    return false;
  }
  return isNonFinite(item);
}

/** The slow walk, for the message: the path of the first non-finite number found. */
function pathOfNonFinite(root: unknown): string {
  const stack: { readonly value: unknown; readonly path: string }[] = [{ value: root, path: "" }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value, path } = next;
    if (isNonFinite(value)) return path === "" ? "the top" : path;
    if (typeof value !== "object" || value === null) continue;
    if (Array.isArray(value)) {
      (value as unknown[]).forEach((item, i) => stack.push({ value: item, path: `${path}[${i}]` }));
    } else {
      for (const [key, item] of Object.entries(value)) {
        const name = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
        stack.push({ value: item, path: path === "" ? name : `${path}.${name}` });
      }
    }
  }
  return "an unknown place";
}
