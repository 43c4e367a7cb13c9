// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openProjectStore } from '../../src/compose.js';
import { projectPaths } from '../../src/config/paths.js';
import type { SessionLogPayload } from '../../src/shared/events.js';
import { MissionControl } from '../src/features/agents/MissionControl';
import { ProjectContext } from '../src/shared/project-context';
import type { SocketFactory } from '../src/shared/ws/project-socket';
import { nodeSocket } from './node-socket';
import { useProjectStream } from '../src/shared/ws/useProjectStream';
import { seedProject, startUiServer, type UiServer } from '../../test/support/ui-fixture.js';
import { renderWithApp } from './render';

// Each test starts a real server with a project database; the page's stream is the real WebSocket (through `ws`).
vi.setConfig({ testTimeout: 30_000 });

const LINE_PX = 18;
const VIEW_PX = 224;

/**
 * jsdom lays nothing out: give a log pane a browser's geometry (each line 18 px, the pane 224 px tall, scrollTop
 * clamped to the content) so following and scrolling behave as in Chromium. `grow` adds height below the lines, as a
 * late layout (a line wrapping after a font loads) does.
 */
function layOut(list: HTMLElement) {
  let top = 0;
  const geometry = { grow: 0 };
  const height = () => list.querySelectorAll('li').length * LINE_PX + geometry.grow;
  Object.defineProperty(list, 'scrollHeight', { configurable: true, get: height });
  Object.defineProperty(list, 'clientHeight', { configurable: true, get: () => VIEW_PX });
  Object.defineProperty(list, 'scrollTop', {
    configurable: true,
    get: () => top,
    set: (v: number) => (top = Math.max(0, Math.min(v, height() - VIEW_PX))),
  });
  const bottom = () => Math.max(0, height() - VIEW_PX);
  /** The person (or the browser) scrolls to `to`; the event fires as the browser's would. */
  const scrollTo = (to: number) => {
    list.scrollTop = to;
    fireEvent.scroll(list);
  };
  return { geometry, bottom, scrollTo, top: () => top };
}

/** Mission control fed by the project's live stream, as the project page provides it. */
function LiveMission({ project, create, origin }: { project: string; create: SocketFactory; origin: string }) {
  const stream = useProjectStream(project, { createSocket: create, origin });
  return (
    <ProjectContext.Provider value={{ name: project, stream, recentlyPassed: new Set(), openFeature: () => undefined }}>
      <MissionControl />
    </ProjectContext.Provider>
  );
}

describe('mission control’s feed', () => {
  let ui: UiServer;
  let dir: string;
  let n = 0;
  beforeEach(async () => {
    ui = await startUiServer();
    dir = seedProject(ui, 'feed', { count: 3 }).dir;
  });
  afterEach(async () => {
    cleanup();
    await ui.close();
  });

  /** Appends session.log rows as the runner writes them (slot 0, session s1). */
  const append = (...payloads: SessionLogPayload[]) => {
    const store = openProjectStore(projectPaths(dir));
    try {
      for (const payload of payloads)
        store.events.append({ type: 'session.log', at: Date.now(), sessionId: 's1', slot: 0, featureId: 1, payload });
    } finally {
      store.close();
    }
  };
  const say = (count: number) =>
    append(...Array.from({ length: count }, () => ({ kind: 'text' as const, text: `line ${++n}` })));

  const render = async () => {
    renderWithApp(<LiveMission project="feed" create={nodeSocket(ui.url)} origin={ui.url.replace(/^http/, 'ws')} />, {
      apiBase: ui.url,
      token: ui.token,
    });
    // Connected and synced first: a line written before is in the snapshot's log but makes no agent (no run).
    const all = await screen.findByRole('list', { name: "All agents' activity" });
    say(1);
    // The first line makes slot 0's agent (session s1) appear with its pane.
    await waitFor(() => expect(within(screen.getByTestId('agent-0')).getByText(`line ${n}`)).toBeTruthy());
    const agent = within(screen.getByTestId('agent-0')).getByRole('list');
    return { agent, all };
  };

  it('shows each line in the agent’s pane and in All activity from the same message, both following the newest', async () => {
    const { agent, all } = await render();
    const agentBox = layOut(agent);
    const allBox = layOut(all);
    say(30);
    // One WebSocket message per line feeds both panes: the newest line is in both at once, never in one first.
    await waitFor(() => expect(agent.getAttribute('data-newest')).not.toBe(''));
    await waitFor(() => expect(within(agent).queryByText(`line ${n}`)).not.toBeNull());
    expect(within(all).getByText(`line ${n}`)).toBeTruthy();
    expect(all.getAttribute('data-newest')).toBe(agent.getAttribute('data-newest'));
    expect(agentBox.top()).toBe(agentBox.bottom());
    expect(allBox.top()).toBe(allBox.bottom());
    expect(screen.queryByRole('button', { name: /jump to latest/i })).toBeNull();
  });

  it('keeps following when the browser’s scroll event comes after the list grew below (the All activity lag)', async () => {
    const { all } = await render();
    const box = layOut(all);
    say(30);
    await waitFor(() => expect(within(all).queryByText(`line ${n}`)).not.toBeNull());
    expect(box.top()).toBe(box.bottom());
    // Lines laid out after the pane scrolled itself: the browser's scroll event reports the pane short of the bottom.
    box.geometry.grow = 2 * LINE_PX;
    act(() => {
      fireEvent.scroll(all);
    });
    say(1);
    await waitFor(() => expect(within(all).queryByText(`line ${n}`)).not.toBeNull());
    expect(box.top()).toBe(box.bottom());
    expect(all.getAttribute('data-following')).toBe('true');
  });

  it('stops following when the person scrolls up and offers Jump to latest, which follows again', async () => {
    const { all, agent } = await render();
    const box = layOut(all);
    layOut(agent);
    say(30);
    await waitFor(() => expect(within(all).queryByText(`line ${n}`)).not.toBeNull());
    act(() => box.scrollTo(40));
    const jump = await within(all.parentElement!).findByRole('button', { name: /jump to latest/i });
    // Announced politely when it appears, and a real button (in the tab order).
    expect(jump.closest('[aria-live="polite"]')).not.toBeNull();
    expect(jump.tabIndex).toBe(0);
    say(5);
    await waitFor(() => expect(within(all).queryByText(`line ${n}`)).not.toBeNull());
    expect(box.top()).toBe(40);
    // Only this pane stopped: the agent's own still follows.
    expect(agent.getAttribute('data-following')).toBe('true');
    fireEvent.click(jump);
    await waitFor(() => expect(box.top()).toBe(box.bottom()));
    expect(document.activeElement).toBe(all);
    expect(within(all.parentElement!).queryByRole('button', { name: /jump to latest/i })).toBeNull();
    say(3);
    await waitFor(() => expect(within(all).queryByText(`line ${n}`)).not.toBeNull());
    expect(box.top()).toBe(box.bottom());
    // Scrolling back to the bottom by hand follows again too.
    act(() => box.scrollTo(0));
    await within(all.parentElement!).findByRole('button', { name: /jump to latest/i });
    act(() => box.scrollTo(box.bottom()));
    await waitFor(() => expect(all.getAttribute('data-following')).toBe('true'));
  });

  it('reads tool calls as one line, the whole input on demand, and never shows people our tools’ texts for the model', async () => {
    const { all } = await render();
    const content = 'export const add = (a, b) => a + b;\n'.repeat(12);
    append(
      { kind: 'tool_call', tool: 'Write', input: JSON.stringify({ file_path: 'src/features/add.js', content }) },
      {
        kind: 'tool_result',
        isError: false,
        tool: 'Write',
        text: 'File created successfully at: src/features/add.js (file state is current in your context — no need to Read it back)',
      },
      { kind: 'tool_call', tool: 'Bash', input: JSON.stringify({ command: 'git commit -m "Feature #1: add"' }) },
      { kind: 'tool_call', tool: 'mcp__features__feature_get_by_id', input: '{"feature_id":9}' },
      {
        kind: 'tool_result',
        isError: true,
        tool: 'mcp__features__feature_get_by_id',
        text: 'Error: feature #9 does not exist.\nNext: list features with feature_get_stats or feature_get_ready.',
      },
    );
    const write = await within(all).findByRole('button', { name: /Write src\/features\/add\.js \(\+12 lines\)/ });
    expect(within(all).getByRole('button', { name: /Bash git commit -m "Feature #1: add"/ })).toBeTruthy();
    expect(within(all).getByRole('button', { name: /Reads feature #9/ })).toBeTruthy();
    expect(within(all).getByText(/refused \(the reason is in the details\)/)).toBeTruthy();
    // Nothing written for the model (tool names, JSON arguments) is on the page until someone asks for it.
    expect(document.body.textContent).not.toMatch(/feature_get_stats|mcp__|file_path|"command"|in your context/);
    expect(within(all).getByRole('button', { name: /saved/ })).toBeTruthy();
    expect(write.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(write);
    expect(write.getAttribute('aria-expanded')).toBe('true');
    const detail = document.getElementById(write.getAttribute('aria-controls')!)!;
    expect(detail.textContent).toContain('file_path: src/features/add.js');
    expect(detail.textContent).toContain('export const add = (a, b) => a + b;');
    // Opening a line to read it holds the pane still.
    expect(all.getAttribute('data-following')).toBe('false');
  });
});
