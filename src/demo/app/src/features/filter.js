// Feature: show all, only open, or only completed todos.
export const FILTERS = { all: () => true, active: (todo) => !todo.done, done: (todo) => todo.done };

export function visibleTodos(todos, filter) {
  return todos.filter(FILTERS[filter] ?? FILTERS.all);
}

export function setup({ page, view, render }) {
  let current = 'all';
  view.filter = (todos) => visibleTodos(todos, current);
  for (const name of Object.keys(FILTERS)) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = name[0].toUpperCase() + name.slice(1);
    button.setAttribute('aria-pressed', String(name === current));
    button.addEventListener('click', () => {
      current = name;
      for (const other of page.filters.children) other.setAttribute('aria-pressed', String(other === button));
      render();
    });
    page.filters.append(button);
  }
}
