import { create } from 'zustand';

const KEY = 'decentra.memberColumn';

/** Whether the member column is shown in server views; remembered per browser. */
export const useMemberColumn = create<{ open: boolean; toggle: () => void }>((set, get) => ({
  open: localStorage.getItem(KEY) !== 'hidden',
  toggle: () => {
    const open = !get().open;
    localStorage.setItem(KEY, open ? 'shown' : 'hidden');
    set({ open });
  },
}));
