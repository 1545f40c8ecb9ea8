import type { ChoiceQuestion, TextQuestion, Validator } from "../config/questions.js";
import { InterruptedError } from "../errors.js";

/**
 * Every question mcctl asks goes through this module, so tests replace one file and the rest of
 * the code never imports @inquirer/prompts (which is loaded only when a question is really asked).
 * Prompts draw on stderr: stdout carries results and must stay clean when redirected.
 */

export type { Asker, ChoiceQuestion, TextQuestion, Validator } from "../config/questions.js";

type InquirerModule = typeof import("@inquirer/prompts");
let inquirer: Promise<InquirerModule> | undefined;

function loadInquirer(): Promise<InquirerModule> {
  inquirer ??= import("@inquirer/prompts");
  return inquirer;
}

const context = () => ({ input: process.stdin, output: process.stderr });

function toInquirerValidate(validate: Validator | undefined) {
  return (value: string): string | true => validate?.(value) ?? true;
}

async function ask<T>(question: () => Promise<T>): Promise<T> {
  try {
    return await question();
  } catch (error) {
    if (error instanceof Error && error.name === "ExitPromptError") {
      throw new InterruptedError("cancelled at a prompt; nothing was changed");
    }
    throw error;
  }
}

export async function askText(question: TextQuestion): Promise<string> {
  const { input } = await loadInquirer();
  return ask(() =>
    input(
      {
        message: question.message,
        default: question.defaultValue,
        validate: toInquirerValidate(question.validate),
      },
      context(),
    ),
  );
}

/** A masked prompt; the answer is never echoed. */
export async function askSecret(question: Omit<TextQuestion, "defaultValue">): Promise<string> {
  const { password } = await loadInquirer();
  return ask(() =>
    password(
      { message: question.message, mask: "*", validate: toInquirerValidate(question.validate) },
      context(),
    ),
  );
}

export async function askConfirm(message: string, defaultValue = false): Promise<boolean> {
  const { confirm } = await loadInquirer();
  return ask(() => confirm({ message, default: defaultValue }, context()));
}

export async function askChoice<T>(question: ChoiceQuestion<T>): Promise<T> {
  const { select } = await loadInquirer();
  return ask(() =>
    select<T>(
      {
        message: question.message,
        choices: question.choices.map((choice) => ({ ...choice })),
        default: question.defaultValue,
      },
      context(),
    ),
  );
}
