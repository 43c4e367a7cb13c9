// The app state: a list of todos ({ id, title, done }) and the functions listening to it.
export function createStore(initial = []) {
  let todos = initial;
  const listeners = new Set();
  return {
    get todos() {
      return todos;
    },
    set(next) {
      todos = next;
      for (const listener of listeners) listener(todos);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
