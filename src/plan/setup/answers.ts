import type { ChoiceQuestion } from "../../config/questions.js";
import { MissingInputError, UsageError } from "../../errors.js";
import type { PlanIo } from "./types.js";

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
export async function answerText(io: PlanIo, question: TextAnswer): Promise<string> {
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

/**
 * A secret: the environment variable of that name, else the one ECS already holds (`known`), else a
 * masked prompt (terminal only).
 */
export async function answerSecret(
  io: PlanIo,
  question: {
    envName: string;
    message: string;
    known?: string | undefined;
    validate?: (value: string) => string | undefined;
  },
): Promise<string> {
  const fromEnv = io.env[question.envName];
  if (fromEnv) {
    const problem = question.validate?.(fromEnv);
    if (problem) throw new MissingInputError([`${question.envName} (${problem})`]);
    return fromEnv;
  }
  if (question.known !== undefined) return question.known;
  if (!io.interactive) throw new MissingInputError([question.envName]);
  return io.ask.askSecret({
    message: `${question.message} (${question.envName})`,
    validate: (value) => (value === "" ? "an answer is needed" : question.validate?.(value)),
  });
}

export async function answerChoice<T>(
  io: PlanIo,
  question: ChoiceQuestion<T> & { name: string; known?: T },
): Promise<T> {
  if (question.known !== undefined) return question.known;
  if (io.interactive) return io.ask.askChoice(question);
  if (question.defaultValue !== undefined) return question.defaultValue;
  throw new MissingInputError([question.name]);
}

export async function answerConfirm(io: PlanIo, message: string, fallback: boolean): Promise<boolean> {
  return io.interactive ? io.ask.askConfirm(message, fallback) : fallback;
}

/** answerText, but a value from mcctl.json is checked too: a bad one is asked again, or is an error. */
export async function answerValid(
  io: PlanIo,
  question: TextAnswer & { validate: (value: string) => string | undefined },
): Promise<string> {
  if (question.known !== undefined) {
    const problem = question.validate(question.known);
    if (problem === undefined) return question.known;
    const text = `${question.name} in the settings file ${problem}`;
    if (!io.interactive)
      throw new UsageError(text, { suggestion: `Correct ${question.name} in mcctl.json.` });
    io.warn(text);
  }
  return answerText(io, { ...question, known: undefined });
}
