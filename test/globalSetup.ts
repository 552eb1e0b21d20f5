import { execFileSync } from 'node:child_process';

// The CLI tests run the bin as users do: bundle it from the current sources first.
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { stdio: 'inherit' });
}
