import type { AcceptanceCheck } from '../shared/acceptance.js';
import type { PromptName } from './prompts.js';

/** What a feature carries that tells whether it has a user interface (a `Feature` fits). */
export interface UiFeatureFacts {
  readonly category: string;
  readonly name: string;
  readonly steps: readonly string[];
  readonly acceptance: readonly AcceptanceCheck[] | null;
}

/** Categories (or words of a category such as `ui-forms`) that name interface work. */
export const UI_CATEGORY_WORDS: readonly string[] = [
  'ui',
  'ux',
  'design',
  'frontend',
  'front-end',
  'page',
  'pages',
  'screen',
  'screens',
  'layout',
  'style',
  'styling',
  'theme',
  'responsive',
  'accessibility',
  'a11y',
  'visual',
];

/**
 * Words in a feature's name or steps that only make sense for something a person sees and uses. `page` followed by
 * `=` or `:` is left out: that is a pagination parameter (`?page=2`), not a page.
 */
const UI_STEP_WORDS =
  /\b(?:pages?(?!\s*[=:])|screens?|buttons?|forms?|modals?|dialogs?|clicks?|clicking|navigates?|navigation|menus?|sidebar|tabs?|dropdown|checkbox|tooltip|dark mode|mobile|viewport|browser)\b/i;

function categoryIsUi(category: string): boolean {
  const c = category.trim().toLowerCase();
  if (UI_CATEGORY_WORDS.includes(c)) return true;
  return c.split(/[^a-z0-9]+/).some((word) => word !== '' && UI_CATEGORY_WORDS.includes(word));
}

/**
 * Whether a feature builds something people look at, so its coding session should get the design guide: it has a
 * browser acceptance check, or a UI category, or its name or steps talk about pages, buttons, forms and the like.
 * A false positive only costs a few hundred words of prompt; a false negative loses the guidance.
 */
export function isUiFeature(feature: UiFeatureFacts): boolean {
  if (feature.acceptance?.some((check) => check.kind === 'browser')) return true;
  if (categoryIsUi(feature.category)) return true;
  return [feature.name, ...feature.steps].some((text) => UI_STEP_WORDS.test(text));
}

/** The templates a coding session's prompt is made of: the coding prompt, then the design guide for a UI feature. */
export function codingPromptNames(feature: UiFeatureFacts): readonly PromptName[] {
  return isUiFeature(feature) ? ['coding', 'design-guide'] : ['coding'];
}
