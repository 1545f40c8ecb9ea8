import { MissingInputError } from "../../errors.js";
import type { ChoiceQuestion } from "../../ui/prompts.js";
import type { SetupIo } from "./types.js";

export interface TextAnswer {
  /** How the answer is named when it is missing, e.g. "setup.bucket". */
  name: string;
  message: string;
  /** What mcctl.json already says: used without asking. */
  known?: string;
  defaultValue?: string;
  validate?: (value: string) => string | undefined;
}

/** mcctl.json's value, else the operator's answer (terminal), else the default; never a guess. */
export async function answerText(io: SetupIo, question: TextAnswer): Promise<string> {
  if (question.known !== undefined) return question.known;
  if (io.interactive) {
    return io.ask.askText({
      message: question.message,
      defaultValue: question.defaultValue,
      validate: (value) => (value === "" ? "an answer is needed" : question.validate?.(value)),
    });
  }
  if (question.defaultValue !== undefined) return question.defaultValue;
  throw new MissingInputError([question.name]);
}

/** A secret: the environment variable of that name, else a masked prompt (terminal only). */
export async function answerSecret(
  io: SetupIo,
  question: { envName: string; message: string; validate?: (value: string) => string | undefined },
): Promise<string> {
  const fromEnv = io.env[question.envName];
  if (fromEnv) {
    const problem = question.validate?.(fromEnv);
    if (problem) throw new MissingInputError([`${question.envName} (${problem})`]);
    return fromEnv;
  }
  if (!io.interactive) throw new MissingInputError([question.envName]);
  return io.ask.askSecret({
    message: `${question.message} (${question.envName})`,
    validate: (value) => (value === "" ? "an answer is needed" : question.validate?.(value)),
  });
}

export async function answerChoice<T>(
  io: SetupIo,
  question: ChoiceQuestion<T> & { name: string; known?: T },
): Promise<T> {
  if (question.known !== undefined) return question.known;
  if (io.interactive) return io.ask.askChoice(question);
  if (question.defaultValue !== undefined) return question.defaultValue;
  throw new MissingInputError([question.name]);
}

export async function answerConfirm(io: SetupIo, message: string, fallback: boolean): Promise<boolean> {
  return io.interactive ? io.ask.askConfirm(message, fallback) : fallback;
}
