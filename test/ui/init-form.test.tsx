import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';

import { answerProblem, type InitAnswers } from '../../src/lib/init/write-config.js';
import { InitForm } from '../../src/ui/init-form.js';

// ink-testing-library renders at a fixed width of 100 columns.
const ENTER = '\r';
const BACKSPACE = '\u007F';
const UP = '\u001B[A';
const ESCAPE = '\u001B';

/** ink handles each keypress on a later tick; a lone Escape only after it knows no sequence follows. */
const settle = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

function renderForm(initial: Partial<InitAnswers>) {
  const onSubmit = vi.fn<(answers: InitAnswers) => void>();
  const onCancel = vi.fn<() => void>();
  const view = render(
    <InitForm initial={initial} validate={answerProblem} onSubmit={onSubmit} onCancel={onCancel} />,
  );
  const press = async (...keys: string[]) => {
    for (const key of keys) {
      view.stdin.write(key);
      await settle();
    }
  };
  return { ...view, onSubmit, onCancel, press, frame: () => view.lastFrame() ?? '' };
}

describe('InitForm', () => {
  it('given suggested values, when first shown, then it asks for the domain and shows the keys to use', async () => {
    const form = renderForm({ region: 'eu-west-1', env: 'dev', app: 'whoami' });
    await settle();

    expect(form.frame()).toBe(
      [
        'Set up traefikctl in this directory',
        '? Domain (deployments get hostnames such as whoami-v2.dev.<domain>)',
        '  ›',
        'Enter to accept · ↑ to go back · Esc to cancel',
      ].join('\n'),
    );
    form.unmount();
  });

  it('given suggested values, when the user types a domain and accepts the rest, then the answers are submitted', async () => {
    const form = renderForm({ region: 'eu-west-1', env: 'dev', app: 'whoami' });

    await form.press('example.com', ENTER, ENTER, ENTER, ENTER);

    expect(form.onSubmit).toHaveBeenCalledWith({
      domain: 'example.com',
      region: 'eu-west-1',
      env: 'dev',
      app: 'whoami',
    });
    expect(form.frame()).toBe(
      [
        'Set up traefikctl in this directory',
        '✓ Domain example.com',
        '✓ AWS region eu-west-1',
        '✓ Environment dev',
        '✓ App whoami',
      ].join('\n'),
    );
    form.unmount();
  });

  it('given typed values, when each is accepted, then they replace the suggestions', async () => {
    const form = renderForm({ domain: 'example.com', region: 'eu-west-1', env: 'dev', app: 'whoami' });

    await form.press('shop.example.org', ENTER, 'us-east-1', ENTER, 'staging', ENTER, 'shop', ENTER);

    expect(form.onSubmit).toHaveBeenCalledWith({
      domain: 'shop.example.org',
      region: 'us-east-1',
      env: 'staging',
      app: 'shop',
    });
    form.unmount();
  });

  it('given no domain, when Enter is pressed, then it stays on the question and says an answer is needed', async () => {
    const form = renderForm({ env: 'dev', app: 'whoami' });

    await form.press(ENTER);

    expect(form.frame()).toContain('? Domain');
    expect(form.frame()).toContain(
      '  An answer is needed: deployments get hostnames such as whoami-v2.dev.<domain>.',
    );
    expect(form.onSubmit).not.toHaveBeenCalled();
    form.unmount();
  });

  it('given an invalid domain, when accepted, then the rule is shown; after a fix it moves on', async () => {
    const form = renderForm({ env: 'dev', app: 'whoami' });

    await form.press('Example.COM', ENTER);
    const refused = form.frame();
    await form.press(...Array<string>(11).fill(BACKSPACE), 'example.com', ENTER);

    expect(refused).toContain('  › Example.COM');
    expect(refused).toContain('  It must be a lowercase domain such as example.com.');
    expect(form.frame()).toContain('✓ Domain example.com');
    expect(form.frame()).toContain('? AWS region');
    form.unmount();
  });

  it('given no region suggestion, when the region is left empty, then the answers have no region', async () => {
    const form = renderForm({ domain: 'example.com', env: 'dev', app: 'whoami' });

    await form.press(ENTER, ENTER, ENTER, ENTER);

    expect(form.onSubmit).toHaveBeenCalledWith({ domain: 'example.com', env: 'dev', app: 'whoami' });
    expect(form.frame()).toContain('✓ AWS region (not set)');
    form.unmount();
  });

  it('given an answered question, when ↑ is pressed, then the previous question is asked again with its answer', async () => {
    const form = renderForm({ env: 'dev', app: 'whoami' });

    await form.press('example.com', ENTER, UP);

    expect(form.frame()).toContain('? Domain');
    expect(form.frame()).toContain('  › example.com');
    expect(form.frame()).not.toContain('AWS region');
    form.unmount();
  });

  it('given the form, when Escape is pressed, then it is cancelled without submitting', async () => {
    const form = renderForm({ env: 'dev', app: 'whoami' });

    form.stdin.write(ESCAPE);
    await settle(200);

    expect(form.onCancel).toHaveBeenCalledTimes(1);
    expect(form.onSubmit).not.toHaveBeenCalled();
    form.unmount();
  });
});
