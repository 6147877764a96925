import { closestMatch } from "leven";

/**
 * `; did you mean 'epochs'?` when `word` is a near miss of one of `candidates` (a typo, or another case),
 * else "". Near means at most a third of the word's letters differ, rounded up; a word of one or two
 * letters only matches in another case (`C9` is as near `C1` as `C2`: no suggestion helps).
 */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const lower = candidates.map((c) => c.toLowerCase());
  const maxDistance = word.length < 3 ? 0 : Math.ceil(word.length / 3);
  const match = closestMatch(word.toLowerCase(), lower, { maxDistance });
  return match === undefined ? "" : `; did you mean '${candidates[lower.indexOf(match)]}'?`;
}
