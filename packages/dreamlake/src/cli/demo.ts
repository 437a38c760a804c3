import type { Session } from "../session/session.js";
import { withSession } from "../session/session.js";
import type { IndexedPoint } from "../core/track-results.js";
import type { CliIo } from "./cli-io.js";

/** Options of {@link runDemo}. */
export type DemoOptions = {
  /** Folder of local data. @defaultValue ".dreamlake" */
  readonly localPath: string;
  /** Session prefix. @defaultValue `demo/run-<time>` */
  readonly prefix: string;
};

const EPOCHS = 5;
const ROBOT_STEPS = 50;
const ROBOT_HZ = 10;

function formatPoint(point: IndexedPoint): string {
  const fields = Object.entries(point.data)
    .map(
      ([key, value]) =>
        `${key}=${typeof value === "number" ? Number(value.toFixed(3)) : JSON.stringify(value)}`,
    )
    .join(" ");
  return `  #${point.index} ${fields}`;
}

async function trainingLoop(session: Session): Promise<void> {
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    const trainLoss = 1 / epoch;
    session.track("train").append({ loss: trainLoss, epoch });
    // Two appends with the same _ts merge into one point on flush.
    session.track("val").append({ loss: trainLoss * 1.1, epoch, _ts: 1_000 + epoch });
    session.track("val").append({ accuracy: 0.5 + epoch * 0.08, epoch, _ts: 1_000 + epoch });
  }
  await session.track("train_loss").appendBatch(
    Array.from({ length: 100 }, (_, step) => ({
      value: 1 / (step + 1),
      step,
      epoch: Math.floor(step / 20),
    })),
  );
}

function robotLoop(session: Session, startTs: number): void {
  for (let step = 0; step < ROBOT_STEPS; step++) {
    const ts = startTs + step / ROBOT_HZ;
    session
      .track("robot/pose")
      .append({ position: [step * 0.1, step * 0.2, 0], orientation: [0, 0, 0, 1], _ts: ts });
    // -1: the same timestamp as the last append of any track, to keep the tracks in step.
    session.track("camera/left/image").append({ frame_id: step, width: 640, height: 480, _ts: -1 });
    session.track("robot/velocity").append({ linear: [0.1, 0, 0], angular: [0, 0, 0.05], _ts: -1 });
  }
}

/** A short training loop and a robot loop on local files, read back and printed. */
export async function runDemo(options: DemoOptions, io: CliIo): Promise<void> {
  await withSession({ prefix: options.prefix, localPath: options.localPath }, async (session) => {
    io.out(
      `dreamlake demo: session ${session.prefix} in ${session.directory ?? options.localPath}\n\n`,
    );
    await trainingLoop(session);
    const startTs = 1_700_000_000;
    robotLoop(session, startTs);

    io.out(`tracks: ${(await session.tracks.list()).join(", ")}\n\n`);
    const train = await session.track("train").read({ limit: 10 });
    io.out(
      `train, read by index (${train.total} points):\n${train.data.map(formatPoint).join("\n")}\n\n`,
    );
    const val = await session.track("val").read();
    io.out(
      `val, appends with equal _ts merged (${val.total} points):\n${val.data.map(formatPoint).join("\n")}\n\n`,
    );

    const window = await session
      .track("robot/pose")
      .readByTime({ startTime: startTs + 2, endTime: startTs + 2.5 });
    io.out(
      `robot/pose from t+2.0 s to t+2.5 s (${window.total} points):\n${window.data.map(formatPoint).join("\n")}\n\n`,
    );
    const frames = await session
      .track("camera/left/image")
      .readByTime({ startTime: startTs + 2, endTime: startTs + 2.5 });
    io.out(
      `camera/left/image, same window, same timestamps:\n${frames.data.map(formatPoint).join("\n")}\n\n`,
    );
    const latest = await session.track("robot/velocity").readByTime({ reverse: true, limit: 3 });
    io.out(`robot/velocity, newest 3:\n${latest.data.map(formatPoint).join("\n")}\n\n`);
    const stats = await session.track("train_loss").stats();
    io.out(
      `train_loss stats: ${stats.totalDataPoints} points, _ts ${stats.firstDataAt} .. ${stats.lastDataAt}\n`,
    );
  });
  const root = options.localPath === ".dreamlake" ? "" : ` --root ${options.localPath}`;
  io.out(
    `\nSee it in the browser: npx dreamlake ui${root}   (charts, logs and files; Ctrl-C stops it)\n`,
  );
}
