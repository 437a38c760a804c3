import { describe, expect, it } from "vitest";
import { UnauthenticatedError } from "dreamlake/engine";
import { JwtAuthenticator, namespaceFromClaims } from "./jwt-authenticator.js";
import { signJwt } from "./jwt.js";

const SECRET = "test-secret-0123456789abcdef";

function clockAt(seconds: number): { nowSeconds(): number; set(value: number): void } {
  let now = seconds;
  return {
    nowSeconds: () => now,
    set(value) {
      now = value;
    },
  };
}

describe("namespaceFromClaims", () => {
  it("prefers userName, then username, then sub, then userId", () => {
    expect(namespaceFromClaims({ userName: "a", username: "b", sub: "c", userId: "1" })).toBe("a");
    expect(namespaceFromClaims({ username: "b", sub: "c", userId: "1" })).toBe("b");
    expect(namespaceFromClaims({ sub: "c", userId: "1" })).toBe("c");
    expect(namespaceFromClaims({ userId: 4821394756 })).toBe("4821394756");
  });

  it.each([[".hidden"], ["a/b"], [".."], ["x".repeat(256)], ["with space"]])(
    "refuses the user name %j as a namespace",
    (name) => {
      expect(() => namespaceFromClaims({ userName: name })).toThrow(UnauthenticatedError);
    },
  );

  it("refuses claims without a user name", () => {
    expect(() => namespaceFromClaims({ email: "a@b.c" })).toThrow(
      /userName, username, sub, userId/,
    );
  });
});

describe("JwtAuthenticator", () => {
  it("reads the namespace from a Bearer token (scheme in any case)", () => {
    const auth = new JwtAuthenticator(SECRET, clockAt(0));
    const token = signJwt({ userName: "alice" }, SECRET);
    expect(auth.authenticate(`Bearer ${token}`)).toEqual({ namespace: "alice" });
    expect(auth.authenticate(`bearer ${token}`)).toEqual({ namespace: "alice" });
  });

  it("refuses a missing or non-Bearer header", () => {
    const auth = new JwtAuthenticator(SECRET, clockAt(0));
    expect(() => auth.authenticate(undefined)).toThrow(/Missing Authorization/);
    expect(() => auth.authenticate("Basic abc")).toThrow(/Bearer/);
  });

  it("refuses a remembered token once the clock passes its exp", () => {
    const clock = clockAt(100);
    const auth = new JwtAuthenticator(SECRET, clock);
    const header = `Bearer ${signJwt({ userName: "alice", exp: 200 }, SECRET)}`;
    expect(auth.authenticate(header).namespace).toBe("alice");
    clock.set(199);
    expect(auth.authenticate(header).namespace).toBe("alice");
    clock.set(200);
    expect(() => auth.authenticate(header)).toThrow(/expired/);
  });

  it("checks nbf on every use", () => {
    const clock = clockAt(100);
    const auth = new JwtAuthenticator(SECRET, clock);
    const header = `Bearer ${signJwt({ userName: "alice", nbf: 150 }, SECRET)}`;
    expect(() => auth.authenticate(header)).toThrow(/not valid yet/);
    clock.set(150);
    expect(auth.authenticate(header).namespace).toBe("alice");
  });
});
