import type { Asker, TextQuestion } from "../../src/ui/prompts.js";

/**
 * Answers prompts from a script keyed by a fragment of the question (e.g. "METADATA_HOST" or
 * "mail"). A question nobody scripted fails the test, so a flow that asks too much is caught.
 * Text answers are validated like the real prompt would; `undefined` means "press Enter".
 */
export function scriptedAsker(script: Record<string, string | boolean | undefined>) {
  const asked: string[] = [];
  const answerFor = (message: string) => {
    asked.push(message);
    const key = Object.keys(script).find((fragment) => message.includes(fragment));
    if (key === undefined) throw new Error(`unexpected question: ${message}`);
    return script[key];
  };
  const text = async (question: TextQuestion) => {
    const answer = answerFor(question.message);
    const value = answer === undefined ? (question.defaultValue ?? "") : String(answer);
    const problem = question.validate?.(value);
    if (problem) throw new Error(`answer to "${question.message}" rejected: ${problem}`);
    return value;
  };
  const asker: Asker = {
    askText: text,
    askSecret: (question) => text(question),
    askConfirm: async (message, defaultValue = false) => {
      const answer = answerFor(message);
      return answer === undefined ? defaultValue : Boolean(answer);
    },
    askChoice: async () => {
      throw new Error("askChoice is not scripted");
    },
  };
  return { asker, asked };
}
