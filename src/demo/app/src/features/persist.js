// Feature: todos survive a reload (saved in localStorage).
const KEY = 'demo-todos';

export function saveTodos(storage, todos) {
  storage.setItem(KEY, JSON.stringify(todos));
}

export function loadTodos(storage) {
  try {
    const saved = JSON.parse(storage.getItem(KEY) ?? '[]');
    return Array.isArray(saved) ? saved : [];
  } catch {
    return [];
  }
}

export function setup({ store }) {
  store.set(loadTodos(localStorage));
  store.subscribe((todos) => saveTodos(localStorage, todos));
}
