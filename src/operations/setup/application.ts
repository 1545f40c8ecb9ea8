import { gatherTaskInputs, type TaskInputs } from "../../config/task-inputs.js";
import type { SetupIo } from "./types.js";

/** Values setup knows from the resources it made, so the operator is never asked for them. */
export interface DerivedEnvironment {
  MC_S3_BUCKET: string;
  MC_S3_REGION: string;
  METADATA_JDBC_URL: string;
  METADATA_USERNAME: string;
  METADATA_PASSWORD: string;
}

/**
 * Step 5: the Model Catalogue environment, asked like `register-task` asks it, with everything setup
 * derived (bucket, JDBC URL, database user and password) filled in and S3 assets switched on.
 */
export async function gatherApplicationSettings(
  io: SetupIo,
  derived: DerivedEnvironment,
): Promise<TaskInputs> {
  const settings = io.settings();
  const inputs = await gatherTaskInputs(
    {
      settings: { ...settings, features: { ...settings.features, assets: true } },
      // Derived values win over anything else: they describe the resources that really exist.
      env: { ...io.env, ...derived },
      interactive: io.interactive,
      region: io.region,
    },
    io.ask,
  );
  await io.remember({ ...inputs.answers, features: { ...inputs.answers.features, assets: true } });
  return inputs;
}
