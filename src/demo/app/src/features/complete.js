// Feature: tick a todo's checkbox to mark it done (and untick to open it again).
export function toggleTodo(todos, id) {
  return todos.map((todo) => (todo.id === id ? { ...todo, done: !todo.done } : todo));
}

export function setup({ store, view }) {
  view.decorate.push((li, todo) => {
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = todo.done;
    box.setAttribute('aria-label', `Complete ${todo.title}`);
    box.addEventListener('change', () => store.set(toggleTodo(store.todos, todo.id)));
    li.prepend(box);
  });
}
