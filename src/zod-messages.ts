// mcctl validates with zod/mini rather than zod: the full build alone would double its start-up time.
// zod/mini ships without messages; importing this module configures the English ones, once.
import { en } from "zod/locales";
import { config } from "zod/mini";

config(en());
