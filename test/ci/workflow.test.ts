/**
 * The hosted pipeline cannot run here, so `npm test` checks it: .github/workflows/ci.yml against the GitHub Actions
 * workflow schema (@action-validator/core), and that it does what the project asks of it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/processes.js";

const WORKFLOW = readFileSync(join(ROOT, ".github", "workflows", "ci.yml"), "utf8");

describe(".github/workflows/ci.yml", () => {
  it("is a valid GitHub Actions workflow", () => {
    expect(validateWorkflow(WORKFLOW).errors).toEqual([]);
  });

  it("the validator does reject a broken workflow", () => {
    const broken = WORKFLOW.replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest");
    expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0);
  });

  it("runs .ci/run on push and pull request with Node 20, PostgreSQL 15, Redis 7 and Chromium", () => {
    expect(WORKFLOW).toMatch(/^on:\n {2}push:\n {2}pull_request:/m);
    expect(WORKFLOW).toMatch(/container: node:20-/);
    expect(WORKFLOW).toMatch(/image: postgres:15/);
    expect(WORKFLOW).toMatch(/image: redis:7/);
    expect(WORKFLOW).toMatch(/apt-get install .*chromium/);
    expect(WORKFLOW).toMatch(/run: bash \.ci\/run/);
  });

  it("builds the Docker image and waits for /readyz", () => {
    expect(WORKFLOW).toMatch(/docker build/);
    expect(WORKFLOW).toMatch(/curl --fail .*\/readyz/);
  });
});
