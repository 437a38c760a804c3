import { describe, expect, it } from "vitest";
import { UnauthenticatedError } from "dreamlake/engine";
import { JoseTokenVerifier } from "./jose-token-verifier.js";
import { JwtAuthenticator, namespaceFromClaims } from "./jwt-authenticator.js";
import { signJwt } from "./jwt.js";
import { FixedSecrets, type SecretSource } from "./secret-source.js";
import type { JwtClaims } from "./token-verifier.js";

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

/** Secrets a test changes, as a rotated secret file does. */
class ChangingSecrets implements SecretSource {
  #secrets: readonly string[];
  #version = 0;
  constructor(secrets: readonly string[]) {
    this.#secrets = secrets;
  }
  secrets(): readonly string[] {
    return this.#secrets;
  }
  version(): number {
    return this.#version;
  }
  set(secrets: readonly string[]): void {
    this.#secrets = secrets;
    this.#version++;
  }
}

function authenticator(
  clock: { nowSeconds(): number },
  secrets: SecretSource = new FixedSecrets([SECRET]),
  userClaim?: string,
): JwtAuthenticator {
  return new JwtAuthenticator(new JoseTokenVerifier({ secrets, clock }), clock, { userClaim });
}

describe("JwtAuthenticator", () => {
  it("reads the namespace from a Bearer token (scheme in any case)", async () => {
    const auth = authenticator(clockAt(0));
    const token = signJwt({ userName: "alice" }, SECRET);
    expect(await auth.authenticate(`Bearer ${token}`)).toEqual({ namespace: "alice" });
    expect(await auth.authenticate(`bearer ${token}`)).toEqual({ namespace: "alice" });
  });

  it("refuses a missing or non-Bearer header", async () => {
    const auth = authenticator(clockAt(0));
    await expect(auth.authenticate(undefined)).rejects.toThrow(/Missing Authorization/);
    await expect(auth.authenticate("Basic abc")).rejects.toThrow(/Bearer/);
  });

  it("refuses a remembered token once the clock passes its exp", async () => {
    const clock = clockAt(100);
    const auth = authenticator(clock);
    const header = `Bearer ${signJwt({ userName: "alice", exp: 200 }, SECRET)}`;
    expect((await auth.authenticate(header)).namespace).toBe("alice");
    clock.set(199);
    expect((await auth.authenticate(header)).namespace).toBe("alice");
    clock.set(200);
    await expect(auth.authenticate(header)).rejects.toThrow(/expired/);
  });

  it("checks nbf on every use", async () => {
    const clock = clockAt(100);
    const auth = authenticator(clock);
    const header = `Bearer ${signJwt({ userName: "alice", nbf: 150 }, SECRET)}`;
    await expect(auth.authenticate(header)).rejects.toThrow(/not valid yet/);
    clock.set(150);
    expect((await auth.authenticate(header)).namespace).toBe("alice");
  });

  it("forgets remembered tokens when the secrets change", async () => {
    const secrets = new ChangingSecrets([SECRET]);
    const auth = authenticator(clockAt(0), secrets);
    const header = `Bearer ${signJwt({ userName: "alice" }, SECRET)}`;
    expect((await auth.authenticate(header)).namespace).toBe("alice");
    secrets.set(["the-next-secret-0123456789"]);
    await expect(auth.authenticate(header)).rejects.toThrow(/signature does not match/);
  });

  it("checks a remembered token again after a minute", async () => {
    const clock = clockAt(0);
    const secrets = new ChangingSecrets([SECRET]);
    let checks = 0;
    const verifier = new JoseTokenVerifier({ secrets, clock });
    const counting = {
      keysVersion: () => verifier.keysVersion(),
      verify: (token: string) => {
        checks++;
        return verifier.verify(token);
      },
    };
    const auth = new JwtAuthenticator(counting, clock);
    const header = `Bearer ${signJwt({ userName: "alice" }, SECRET)}`;
    await auth.authenticate(header);
    clock.set(59);
    await auth.authenticate(header);
    expect(checks).toBe(1);
    clock.set(60);
    await auth.authenticate(header);
    expect(checks).toBe(2);
  });

  it("takes the namespace of the provider's tokens from the configured claim only", async () => {
    const clock = clockAt(0);
    const provider = {
      keysVersion: () => 0,
      verify: (token: string) =>
        Promise.resolve({ claims: JSON.parse(token) as JwtClaims, signer: "jwks" as const }),
    };
    const auth = new JwtAuthenticator(provider, clock, { userClaim: "preferred_username" });
    const token = JSON.stringify({ preferred_username: "carol", sub: "auth0|123" });
    expect(await auth.authenticate(`Bearer ${token}`)).toEqual({ namespace: "carol" });
    const without = JSON.stringify({ userName: "alice" });
    await expect(auth.authenticate(`Bearer ${without}`)).rejects.toThrow(/preferred_username/);
  });

  it("takes the namespace of the server's own tokens from the usual claims", async () => {
    const auth = authenticator(clockAt(0), undefined, "preferred_username");
    const token = signJwt({ userName: "alice" }, SECRET);
    expect(await auth.authenticate(`Bearer ${token}`)).toEqual({ namespace: "alice" });
  });
});
