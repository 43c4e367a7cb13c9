import { describe, expect, it } from 'vitest';
import { CLI_ENTRY, designReviewArgs, runnerArgs } from './launcher.js';

describe('runnerArgs', () => {
  it('turns every option of a start request into the flag `autocoder run` takes', () => {
    expect(
      runnerArgs('/p', {
        model: 'm',
        maxIterations: 3,
        maxTurns: 40,
        yolo: true,
        sandbox: 'on',
        concurrency: 2,
        testingRatio: 1,
        supervisor: true,
        verifier: true,
        regressionEvery: 0,
        designReviewEvery: 4,
        designIterations: 2,
        maxCostUsd: 2.5,
        maxFeatureCostUsd: 0.75,
      }),
    ).toEqual([
      CLI_ENTRY,
      'run',
      '/p',
      '--model',
      'm',
      '--max-iterations',
      '3',
      '--max-turns',
      '40',
      '--yolo',
      '--sandbox',
      'on',
      '--concurrency',
      '2',
      '--testing-ratio',
      '1',
      '--supervisor',
      '--verifier',
      '--regression-every',
      '0',
      '--design-review-every',
      '4',
      '--design-iterations',
      '2',
      '--max-cost',
      '2.5',
      '--max-feature-cost',
      '0.75',
    ]);
  });

  it('passes nothing for options the request leaves out or turns off (the settings decide)', () => {
    expect(runnerArgs('/p', { yolo: false, supervisor: false, verifier: false })).toEqual([CLI_ENTRY, 'run', '/p']);
  });
});

describe('designReviewArgs', () => {
  it('is `autocoder design-review <root>` with the personas comma-separated, or none (all of the project)', () => {
    expect(designReviewArgs('/p', ['visual-designer', 'copy-editor'])).toEqual([
      CLI_ENTRY,
      'design-review',
      '/p',
      '--personas',
      'visual-designer,copy-editor',
    ]);
    expect(designReviewArgs('/p', undefined)).toEqual([CLI_ENTRY, 'design-review', '/p']);
  });
});
