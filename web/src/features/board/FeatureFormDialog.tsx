import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { FeatureDTO } from '@shared/api';
import { ApiError } from '../../shared/api/client';
import { endpoints } from '../../shared/api/endpoints';
import { Button } from '../../shared/ui/Button';
import { Dialog } from '../../shared/ui/Dialog';
import { Field, inputClass } from '../../shared/ui/Field';
import { useToast } from '../../shared/ui/toast';
import { useProject } from '../../shared/project-context';
import {
  emptyFeatureForm,
  formFromFeature,
  validateCreate,
  validateUpdate,
  type FeatureFormValues,
  type FormErrors,
} from './feature-form';

/** Add a feature, or edit one (`feature` given). Checked in the browser, then by the server. */
export function FeatureFormDialog({ feature, onClose }: { feature?: FeatureDTO; onClose: () => void }) {
  const { name: project } = useProject();
  const qc = useQueryClient();
  const toast = useToast();
  const [values, setValues] = useState<FeatureFormValues>(feature ? formFromFeature(feature) : emptyFeatureForm);
  const [errors, setErrors] = useState<FormErrors>({});
  const save = useMutation({
    mutationFn: async () => {
      const checked = feature ? validateUpdate(values, feature) : validateCreate(values);
      if (!checked.ok) {
        setErrors(checked.errors);
        return null;
      }
      setErrors({});
      return feature
        ? endpoints.updateFeature(project, feature.id, checked.body)
        : endpoints.createFeature(project, checked.body as Parameters<typeof endpoints.createFeature>[1]);
    },
    onSuccess: async (saved) => {
      if (!saved) return;
      await qc.invalidateQueries({ queryKey: ['project', project] });
      toast(feature ? `Saved #${saved.id}` : `Added #${saved.id} ${saved.name}`, 'success');
      onClose();
    },
    onError: (err) => {
      if (err instanceof ApiError && err.field && err.field in emptyFeatureForm)
        setErrors({ [err.field]: err.message });
      else setErrors({ name: err.message });
    },
  });
  const set = (k: keyof FeatureFormValues) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
    setValues((v) => ({ ...v, [k]: e.target.value }));
  return (
    <Dialog
      open
      wide
      onClose={onClose}
      title={feature ? `Edit #${feature.id}` : 'Add a feature'}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form="feature-form" disabled={save.isPending}>
            {feature ? 'Save' : 'Add feature'}
          </Button>
        </>
      }
    >
      <form
        id="feature-form"
        noValidate
        className="grid grid-cols-1 gap-4 sm:grid-cols-3"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <div className="sm:col-span-2">
          <Field label="Name" error={errors.name}>
            {(p) => <input {...p} className={inputClass} value={values.name} onChange={set('name')} autoFocus />}
          </Field>
        </div>
        <Field label="Category" error={errors.category}>
          {(p) => (
            <input
              {...p}
              className={inputClass}
              value={values.category}
              onChange={set('category')}
              placeholder="e.g. functional"
            />
          )}
        </Field>
        <div className="sm:col-span-3">
          <Field label="Description" error={errors.description}>
            {(p) => (
              <textarea
                {...p}
                rows={3}
                className={inputClass}
                value={values.description}
                onChange={set('description')}
              />
            )}
          </Field>
        </div>
        <div className="sm:col-span-2">
          <Field label="Test steps" hint="One per line: what a tester does and sees." error={errors.steps}>
            {(p) => (
              <textarea
                {...p}
                rows={5}
                className={`${inputClass} font-mono`}
                value={values.steps}
                onChange={set('steps')}
              />
            )}
          </Field>
        </div>
        <Field label="Priority" hint="Lower runs first. Empty: 0." error={errors.priority}>
          {(p) => (
            <input
              {...p}
              className={inputClass}
              inputMode="numeric"
              value={values.priority}
              onChange={set('priority')}
            />
          )}
        </Field>
      </form>
    </Dialog>
  );
}
