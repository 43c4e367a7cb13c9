// The page: renders the todos and lets every built feature add its part (src/features/).
import { createStore } from './store.js';
import { features } from './features/index.js';

const store = createStore();
const page = {
  form: document.querySelector('#new-todo'),
  title: document.querySelector('#title'),
  list: document.querySelector('#todos'),
  filters: document.querySelector('#filters'),
  count: document.querySelector('#count'),
};
// Features change what is shown (filter), add controls to each row (decorate) and react after a render (after).
const view = { filter: (todos) => todos, decorate: [], after: [] };

function render() {
  const rows = view.filter(store.todos).map((todo) => {
    const li = document.createElement('li');
    const title = document.createElement('span');
    title.textContent = todo.title;
    li.append(title);
    li.classList.toggle('done', todo.done);
    for (const decorate of view.decorate) decorate(li, todo);
    return li;
  });
  page.list.replaceChildren(...rows);
  for (const after of view.after) after(store.todos);
}

for (const feature of features) feature.setup({ store, page, view, render });
store.subscribe(render);
render();
// Add is enabled once every feature is set up: before that, a submitted form would reload the page and lose the todo.
page.form.querySelector('button').disabled = false;
