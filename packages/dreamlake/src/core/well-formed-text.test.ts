import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "./errors.js";
import { assertWellFormedText, hasLoneSurrogate } from "./well-formed-text.js";

// UTF-16 code units, surrogates much more often than chance would give them.
const unit = fc.oneof(
  fc.integer({ min: 0xd800, max: 0xdfff }),
  fc.integer({ min: 0, max: 0xffff }),
  fc.constantFrom(0x61, 0xe9),
);
const text = fc.array(unit, { maxLength: 8 }).map((units) => String.fromCharCode(...units));

describe("hasLoneSurrogate", () => {
  it("is true exactly when UTF-8 cannot carry the string (a round trip changes it)", () => {
    fc.assert(
      fc.property(text, (value) => {
        // ignoreBOM: a decoder drops a leading U+FEFF otherwise, which UTF-8 carries fine.
        const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
        const roundTrip = decoder.decode(new TextEncoder().encode(value));
        expect(hasLoneSurrogate(value)).toBe(roundTrip !== value);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("assertWellFormedText", () => {
  it("names the text, the surrogate and its position", () => {
    expect(() => {
      assertWellFormedText("ab\udc01", "Point 3", 'the value of field "f"');
    }).toThrow(
      new InvalidArgumentError(
        'Point 3 cannot be stored: the value of field "f" "ab\\udc01" holds a lone UTF-16 surrogate (U+DC01 at position 2), which UTF-8 cannot encode',
      ),
    );
  });

  it("lets well-formed text through, characters beyond U+FFFF included", () => {
    expect(() => {
      assertWellFormedText("robot 🤖 ok", "p", "f");
    }).not.toThrow();
  });
});
