// Feature: a delete button on each todo.
export function removeTodo(todos, id) {
  return todos.filter((todo) => todo.id !== id);
}

export function setup({ store, view }) {
  view.decorate.push((li, todo) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = '×';
    button.setAttribute('aria-label', `Delete ${todo.title}`);
    button.addEventListener('click', () => store.set(removeTodo(store.todos, todo.id)));
    li.append(button);
  });
}
