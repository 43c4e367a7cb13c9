// Feature: "N items left" below the list.
export function countText(todos) {
  const open = todos.filter((todo) => !todo.done).length;
  return open === 1 ? '1 item left' : `${open} items left`;
}

export function setup({ page, view }) {
  view.after.push((todos) => {
    page.count.textContent = countText(todos);
  });
}
