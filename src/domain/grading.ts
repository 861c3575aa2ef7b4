import { type PartStatus, MAX_SCORE, PARTS } from './attempt-state';

/** What grading needs of a part: its status and the answers as last written. */
export interface GradedPart {
  status: PartStatus;
  answers: number[][] | null;
}

/** Sorted correct choice indexes, per part, per question. */
export type AnswerKey = number[][][];

export interface Grade {
  partScores: number[];
  totalScore: number;
  maxScore: number;
  percent: number;
  passed: boolean;
}

function sameSet(chosen: readonly number[] | undefined, correct: readonly number[]): boolean {
  if (!chosen || chosen.length !== correct.length) return false;
  const c = new Set(chosen);
  return c.size === correct.length && correct.every((i) => c.has(i));
}

/**
 * R-RES-1, R-EXA-4: a question scores 1 when the chosen set equals the correct set; only finally
 * checked (SUBMITTED) parts count: a draft never checked scores 0. Pass when percent ≥ pass mark,
 * compared in integers (18/30 is exactly 60 %).
 */
export function grade(parts: readonly GradedPart[], key: AnswerKey, passMarkPercent: number): Grade {
  const partScores: number[] = [];
  for (let p = 0; p < PARTS; p++) {
    const part = parts[p];
    let score = 0;
    if (part?.status === 'SUBMITTED' && part.answers) {
      for (let q = 0; q < key[p].length; q++) if (sameSet(part.answers[q], key[p][q])) score++;
    }
    partScores.push(score);
  }
  const totalScore = partScores.reduce((a, b) => a + b, 0);
  return {
    partScores,
    totalScore,
    maxScore: MAX_SCORE,
    percent: Math.round((totalScore * 10_000) / MAX_SCORE) / 100,
    passed: totalScore * 100 >= passMarkPercent * MAX_SCORE,
  };
}
