import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "bin/**", "policy/node_modules/**", "app/**", ".venv/**", ".m2/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["tools/register.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { require: "readonly", module: "readonly", __dirname: "readonly", process: "readonly" },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // Resource inputs, mock states and policy props are untyped property bags from the engine.
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
);
