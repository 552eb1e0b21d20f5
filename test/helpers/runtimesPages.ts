// Copies of AWS's "Lambda runtimes" page for the tests: the current one (the copy `make run`
// uses) and the same page after AWS moved one date and added one runtime.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './fixtures.js';

export const CURRENT_PAGE = join(ROOT, 'examples', 'lambda-runtimes.html');

export const currentPage = (): string => readFileSync(CURRENT_PAGE, 'utf8');

/** python3.11's deprecation a month earlier (2027-06-30 -> 2027-05-31), and nodejs28.x added. */
export function movedAndAddedPage(): string {
  const page = currentPage();
  const python311 = /<tr><td[^>]*>Python 3\.11<\/td>.*<\/tr>/.exec(page)![0];
  const nodejs26 = /<tr><td[^>]*>Node\.js 26<\/td>.*<\/tr>/.exec(page)![0];
  const nodejs28 = nodejs26.replace('Node.js 26', 'Node.js 28').replace('nodejs26.x', 'nodejs28.x');
  return page.replace(python311, python311.replace('Jun 30, 2027', 'May 31, 2027')).replace(nodejs26, `${nodejs28}\n${nodejs26}`);
}

/**
 * nodejs16.x taken out of the deprecated table and listed as supported with dates years ahead:
 * what a tampered copy of the page, or a page AWS got wrong, would carry.
 */
export function undeprecatedPage(): string {
  const page = currentPage();
  const nodejs16 = /<tr><td[^>]*>Node\.js 16<\/td>.*<\/tr>/.exec(page)![0];
  const nodejs26 = /<tr><td[^>]*>Node\.js 26<\/td>.*<\/tr>/.exec(page)![0];
  const revived = nodejs16.replace('Jun 12, 2024', 'Jun 12, 2030').replace('Feb 1, 2027', 'Feb 1, 2031').replace('Mar 3, 2027', 'Mar 3, 2031');
  return page.replace(nodejs16, '').replace(nodejs26, `${nodejs26}\n${revived}`);
}

/** nodejs16.x left in the deprecated table, its deprecation date moved years ahead. */
export function postponedDeprecatedPage(): string {
  const page = currentPage();
  const nodejs16 = /<tr><td[^>]*>Node\.js 16<\/td>.*<\/tr>/.exec(page)![0];
  return page.replace(nodejs16, nodejs16.replace('Jun 12, 2024', 'Jun 12, 2030'));
}
