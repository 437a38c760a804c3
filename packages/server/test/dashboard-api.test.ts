import { Session } from "dreamlake";
import { describeDashboardApi, type ApiUnderTest } from "./dashboard-api-contract.js";
import { QUIET } from "./sdk-modes.js";
import { serve, tieredEnv, type ServedServer } from "./served-server.js";

function underTest(server: ServedServer): ApiUnderTest {
  const token = server.token("alice");
  return {
    url: server.url,
    headers: { authorization: `Bearer ${token}` },
    open: (prefix, options = {}) =>
      Session.open({ ...QUIET, prefix, url: server.url, apiKey: token, ...options }),
    close: () => server.close(),
  };
}

describeDashboardApi("embedded server", { needsToken: true }, async () => underTest(await serve()));

describeDashboardApi("replica on PostgreSQL + S3", { needsToken: true }, async () =>
  underTest(await serve(tieredEnv(1000))),
);

describeDashboardApi("replica on MongoDB + S3", { needsToken: true }, async () =>
  underTest(await serve(tieredEnv(1000, "mongodb"))),
);
