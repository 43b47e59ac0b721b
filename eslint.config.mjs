import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "bin/**", "policy/node_modules/**", "app/**", ".venv/**", ".m2/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["tools/register.js", "tools/startup.js", "tools/compileCache.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        module: "readonly",
        __dirname: "readonly",
        process: "readonly",
        Buffer: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // Resource inputs, mock states and policy props are untyped property bags from the engine.
      "@typescript-eslint/no-explicit-any": "off",
      // The package roots load every sub-module (most of the plan's start-up): stacks/aws.ts and
      // stacks/awsx.ts re-export the ones we use under the same names.
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "@pulumi/aws", message: 'Import * as aws from "stacks/aws" (add the sub-module there).' },
            {
              name: "@pulumi/awsx",
              message: 'Import * as awsx from "stacks/awsx" (add the sub-module there).',
            },
          ],
        },
      ],
    },
  },
);
