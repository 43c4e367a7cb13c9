// Feature: add a todo from the form. Blank titles are ignored.
export function addTodo(todos, title) {
  const text = String(title).trim();
  if (text === '') return todos;
  const id = todos.reduce((max, todo) => Math.max(max, todo.id), 0) + 1;
  return [...todos, { id, title: text, done: false }];
}

export function setup({ store, page }) {
  page.form.addEventListener('submit', (event) => {
    event.preventDefault();
    store.set(addTodo(store.todos, page.title.value));
    page.title.value = '';
  });
}
