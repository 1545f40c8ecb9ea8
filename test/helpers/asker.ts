import type { Asker, TextQuestion } from "../../src/ui/prompts.js";

export type ScriptedAnswer = string | boolean | undefined;

/**
 * Answers prompts from a script keyed by a fragment of the question (e.g. "METADATA_HOST" or
 * "mail"). A question nobody scripted fails the test, so a flow that asks too much is caught.
 * Text answers are validated like the real prompt would; `undefined` means "press Enter".
 *
 * A list of answers is used in turn, one per question; an answer in a list that the question's check
 * refuses is recorded in `refused` and the next one is typed, as at the real prompt (a single refused
 * answer fails the test). Choices are answered from `choices`: a fragment of the question → a fragment
 * of the label of the choice to pick (`undefined`: Enter, the default).
 */
export function scriptedAsker(
  script: Record<string, ScriptedAnswer | ScriptedAnswer[]>,
  choices: Record<string, string | undefined> = {},
) {
  const asked: string[] = [];
  const refused: string[] = [];
  const remaining = new Map(
    Object.entries(script).map(([key, value]) => [key, Array.isArray(value) ? [...value] : value]),
  );
  const keyFor = (message: string) => [...remaining.keys()].find((fragment) => message.includes(fragment));
  const answerFor = (message: string): ScriptedAnswer => {
    const key = keyFor(message);
    if (key === undefined) throw new Error(`unexpected question: ${message}`);
    const entry = remaining.get(key);
    if (!Array.isArray(entry)) return entry;
    if (entry.length === 0) throw new Error(`asked once too often: ${message}`);
    return entry.shift();
  };
  const text = async (question: TextQuestion) => {
    asked.push(question.message);
    for (;;) {
      const answer = answerFor(question.message);
      const value = answer === undefined ? (question.defaultValue ?? "") : String(answer);
      const problem = question.validate?.(value);
      if (!problem) return value;
      if (!Array.isArray(remaining.get(keyFor(question.message) ?? ""))) {
        throw new Error(`answer to "${question.message}" rejected: ${problem}`);
      }
      refused.push(problem);
    }
  };
  const asker: Asker = {
    askText: text,
    askSecret: (question) => text(question),
    askConfirm: async (message, defaultValue = false) => {
      asked.push(message);
      const answer = answerFor(message);
      return answer === undefined ? defaultValue : Boolean(answer);
    },
    askChoice: async (question) => {
      asked.push(question.message);
      const key = Object.keys(choices).find((fragment) => question.message.includes(fragment));
      if (key === undefined) throw new Error(`unexpected choice: ${question.message}`);
      const wanted = choices[key];
      if (wanted === undefined) {
        if (question.defaultValue === undefined) throw new Error(`no default in ${question.message}`);
        return question.defaultValue;
      }
      const choice = question.choices.find((candidate) => candidate.name.includes(wanted));
      if (!choice) {
        const names = question.choices.map((candidate) => candidate.name).join(", ");
        throw new Error(`no choice "${wanted}" in ${question.message}: ${names}`);
      }
      return choice.value;
    },
  };
  return { asker, asked, refused };
}
