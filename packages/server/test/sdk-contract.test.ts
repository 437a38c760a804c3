/**
 * The SDK contract suite (sdk-contract.ts) against the embedded server.
 */
import { describeSdkContract } from "./sdk-contract.js";
import { startSdkServer } from "./sdk-server.js";

describeSdkContract("the embedded server", () => startSdkServer());
