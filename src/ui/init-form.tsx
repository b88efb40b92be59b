import { Box, render, Text, useInput } from 'ink';
import { useEffect, useRef, useState } from 'react';

import type { InitAnswers, InitField } from '../lib/init/write-config.js';

interface Question {
  field: InitField;
  label: string;
  hint: string;
  required: boolean;
}

const QUESTIONS: readonly Question[] = [
  {
    field: 'domain',
    label: 'Domain',
    hint: 'deployments get hostnames such as whoami-v2.dev.<domain>',
    required: true,
  },
  {
    field: 'region',
    label: 'AWS region',
    hint: "leave empty to use your AWS profile's region",
    required: false,
  },
  {
    field: 'env',
    label: 'Environment',
    hint: 'the one commands act on when --env is not given',
    required: true,
  },
  { field: 'app', label: 'App', hint: 'the name of the app in this directory', required: true },
];

export interface InitFormProps {
  /** Starting values (flags, then what the directory suggests); Enter on an empty answer keeps them. */
  initial: Partial<InitAnswers>;
  /** Why a value is not acceptable (`a lowercase domain such as example.com`), or undefined. */
  validate: (field: InitField, value: string) => string | undefined;
  onSubmit: (answers: InitAnswers) => void;
  onCancel: () => void;
}

/**
 * The questions of `traefikctl init`, one at a time: type to replace the suggested value, Enter
 * to accept, ↑ to go back, Esc to cancel. Answers are checked by the same rules as the config file.
 */
export function InitForm({ initial, validate, onSubmit, onCancel }: InitFormProps) {
  const [step, setStep] = useState(0);
  const [answers, setAnswers] = useState<Partial<InitAnswers>>(() => ({ ...initial }));
  const [typed, setTyped] = useState('');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [submitted, setSubmitted] = useState<InitAnswers | undefined>(undefined);
  const done = submitted !== undefined;
  const question = QUESTIONS[step];

  // Submit once the finished form has been drawn, so the last frame shows every answer.
  const reported = useRef(false);
  useEffect(() => {
    if (submitted === undefined || reported.current) return;
    reported.current = true;
    onSubmit(submitted);
  }, [submitted, onSubmit]);

  function accept(field: InitField, value: string | undefined): void {
    const next = { ...answers };
    if (value === undefined) delete next[field];
    else next[field] = value;
    setAnswers(next);
    setTyped('');
    setProblem(undefined);
    if (step + 1 < QUESTIONS.length) {
      setStep(step + 1);
      return;
    }
    setSubmitted({
      domain: next.domain ?? '',
      ...(next.region === undefined ? {} : { region: next.region }),
      env: next.env ?? 'dev',
      app: next.app ?? '',
    });
  }

  useInput(
    (input, key) => {
      if (question === undefined) return;
      if (key.escape) {
        onCancel();
        return;
      }
      if (key.upArrow) {
        if (step > 0) {
          setStep(step - 1);
          setTyped('');
          setProblem(undefined);
        }
        return;
      }
      if (key.return) {
        const value = (typed === '' ? (answers[question.field] ?? '') : typed).trim();
        if (value === '') {
          if (question.required) setProblem(`An answer is needed: ${question.hint}.`);
          else accept(question.field, undefined);
          return;
        }
        const expected = validate(question.field, value);
        if (expected === undefined) accept(question.field, value);
        else setProblem(`It must be ${expected}.`);
        return;
      }
      if (key.backspace || key.delete) {
        setTyped(typed.slice(0, -1));
        setProblem(undefined);
        return;
      }
      if (key.ctrl || key.meta || key.tab) return;
      const text = input.replace(/[\r\n]/g, '');
      if (text !== '') {
        setTyped(typed + text);
        setProblem(undefined);
      }
    },
    { isActive: !done },
  );

  return (
    <Box flexDirection="column">
      <Text bold>Set up traefikctl in this directory</Text>
      {QUESTIONS.map((q, index) => {
        const answer = answers[q.field];
        if (index < step || done) {
          return (
            <Text key={q.field}>
              <Text color="green">✓</Text> {q.label} <Text color="cyan">{answer ?? '(not set)'}</Text>
            </Text>
          );
        }
        if (index > step) return null;
        return (
          <Box key={q.field} flexDirection="column">
            <Text>
              <Text color="cyan">?</Text> {q.label} <Text dimColor>({q.hint})</Text>
            </Text>
            <Text>
              {'  › '}
              {typed === '' ? <Text dimColor>{answer ?? ''}</Text> : <Text>{typed}</Text>}
              <Text inverse> </Text>
            </Text>
            {problem === undefined ? null : <Text color="red">{`  ${problem}`}</Text>}
          </Box>
        );
      })}
      {done ? null : <Text dimColor>Enter to accept · ↑ to go back · Esc to cancel</Text>}
    </Box>
  );
}

/**
 * Asks the init questions on a terminal (drawn on stderr: stdout carries only the result).
 * Resolves with the answers, or undefined when the user cancels (Esc or Ctrl-C).
 */
export async function askInitAnswers(
  initial: Partial<InitAnswers>,
  validate: InitFormProps['validate'],
): Promise<InitAnswers | undefined> {
  let answers: InitAnswers | undefined;
  const instance = render(
    <InitForm
      initial={initial}
      validate={validate}
      onSubmit={(submitted) => {
        answers = submitted;
        instance.unmount();
      }}
      onCancel={() => instance.unmount()}
    />,
    { stdout: process.stderr, patchConsole: false },
  );
  await instance.waitUntilExit();
  return answers;
}
