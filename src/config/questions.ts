/**
 * How input resolution asks the operator. The plan asks through an Asker it is given; src/ui/prompts.ts
 * is the terminal's Asker, and tests hand in a scripted one.
 */

export type Validator = (value: string) => string | undefined;

export interface TextQuestion {
  message: string;
  defaultValue?: string | undefined;
  validate?: Validator | undefined;
}

export interface ChoiceQuestion<T> {
  message: string;
  choices: readonly { name: string; value: T; description?: string }[];
  defaultValue?: T | undefined;
}

export interface Asker {
  askText(question: TextQuestion): Promise<string>;
  /** A masked prompt; the answer is never echoed. */
  askSecret(question: Omit<TextQuestion, "defaultValue">): Promise<string>;
  askConfirm(message: string, defaultValue?: boolean): Promise<boolean>;
  askChoice<T>(question: ChoiceQuestion<T>): Promise<T>;
}
